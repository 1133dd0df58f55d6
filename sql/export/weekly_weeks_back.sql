-- `hamflow export`: View: the weekly table with weeks_back, by athlete and year.
SELECT *, year(week_start) AS year FROM weekly_weeks_back;
