-- Everything the weekly summary needs from the workouts of some athletes ($athletes: a list).
-- A second recording of a workout (duplicate_of set) is left out: its primary counts it.
SELECT athlete_id, workout_id, start_utc, start_local, week_start, moving_s, posterior_load, quad_load,
       posterior_s, quad_s, is_sprint_session, is_leg_day, is_incline_walk, is_rowing,
       hsr_distance_m, sprint_distance_m, maxv_s, model_version
FROM workouts
WHERE list_contains($athletes, athlete_id) AND duplicate_of IS NULL
ORDER BY athlete_id, start_utc, workout_id;
