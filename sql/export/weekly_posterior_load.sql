-- `hamflow export`: The weekly table, by athlete and year.
SELECT *, year(week_start) AS year FROM weekly_posterior_load;
