-- Drop the weekly rows of some athletes ($athletes: a list); their recomputed rows replace them
-- in the same transaction.
DELETE FROM weekly_posterior_load WHERE list_contains($athletes, athlete_id);
