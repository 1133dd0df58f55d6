-- The latest $weeks weeks per athlete (all athletes when $athlete is null), oldest first.
SELECT w.*
FROM weekly_posterior_load AS w
JOIN (
    SELECT athlete_id, max(week_start) AS last_week
    FROM weekly_posterior_load
    GROUP BY athlete_id
) AS latest USING (athlete_id)
WHERE ($athlete IS NULL OR w.athlete_id = $athlete)
  AND w.week_start > latest.last_week - to_weeks(CAST($weeks AS INTEGER))
ORDER BY w.athlete_id, w.week_start;
