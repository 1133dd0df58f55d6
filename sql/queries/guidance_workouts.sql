-- One athlete's workouts that `hamflow next` reads: those starting from $since up to $until, and
-- the latest one up to $until whenever it lies (its UTC offset is the athlete's local time
-- when no time zone is configured). Oldest first; a second recording of a workout is left out.
SELECT start_utc, utc_offset_min, start_local, week_start, sport, sub_sport,
       posterior_load, quad_load, is_sprint_session, is_leg_day, is_incline_walk, is_rowing
FROM workouts
WHERE athlete_id = $athlete AND duplicate_of IS NULL
  AND start_utc <= $until
  AND (start_utc >= CAST($since AS DATE)
       OR start_utc = (SELECT max(start_utc) FROM workouts
                        WHERE athlete_id = $athlete AND duplicate_of IS NULL AND start_utc <= $until))
ORDER BY start_utc, workout_id;
