"""The rubric: signal specs, criteria and categories, loaded from YAML.

The bundled rubric is ``default.yaml`` in this folder.
"""
