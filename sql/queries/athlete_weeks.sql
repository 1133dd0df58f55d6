-- The stored weekly rows of some athletes ($athletes: a list), before they are recomputed:
-- compared with the new rows to count what changed.
SELECT * FROM weekly_posterior_load WHERE list_contains($athletes, athlete_id);
