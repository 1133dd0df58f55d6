-- Minutes per movement pattern per week of one athlete, for the weeks shown.
SELECT week_start, pattern, minutes
FROM pattern_minutes_weekly
WHERE athlete_id = $athlete AND week_start >= CAST($since AS DATE)
ORDER BY week_start, pattern;
