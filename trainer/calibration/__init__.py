"""Checking and fitting the rubric against human labels.

Label files, agreement with graders, detector fitting, ``calibrate``.
"""
