-- Every athlete with a stored workout, in order (`hamflow reprocess` goes athlete by athlete).
SELECT DISTINCT athlete_id FROM workouts ORDER BY athlete_id;
