-- Minutes and load per movement pattern, per athlete and local week (each workout once: a
-- second recording of it, workouts.duplicate_of, is left out).
CREATE OR REPLACE VIEW pattern_minutes_weekly AS
SELECT
    w.athlete_id,
    w.week_start,
    p.pattern,
    round(sum(p.seconds) / 60.0, 2)       AS minutes,
    round(sum(p.posterior_load), 2)       AS posterior_load,
    round(sum(p.quad_load), 2)            AS quad_load
FROM workout_patterns AS p
JOIN workouts AS w USING (workout_id)
WHERE w.duplicate_of IS NULL
GROUP BY ALL
ORDER BY w.athlete_id, w.week_start, p.pattern;
