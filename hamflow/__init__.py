"""hamflow: how much of an athlete's cardio loaded the posterior chain, and how much the quads.

The library is a chain of pure steps: FIT bytes -> frames (:mod:`hamflow.fit`) -> classified
samples -> workouts -> weekly summaries. Each step can be called on its own.
"""

__version__ = "0.1.0"
