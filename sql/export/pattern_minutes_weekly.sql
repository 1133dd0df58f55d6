-- `hamflow export`: View: minutes and load per pattern and week, by athlete and year.
SELECT *, year(week_start) AS year FROM pattern_minutes_weekly;
