"""Pipeline stages, one module each: read -> extract -> clean -> language -> dedup -> write.

Each stage is a composite PTransform over pure functions of the same module, so the
functions can be used and tested without Beam.
"""
