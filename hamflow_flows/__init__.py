"""hamflow's ingest as Prefect flows: :mod:`hamflow_flows.flows` (the run) and
:mod:`hamflow_flows.serve` (the nightly schedule). The library (``hamflow``) never imports
Prefect; these modules compose it."""
