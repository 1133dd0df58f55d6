-- `hamflow export`: View: each athlete's last 12 weeks, by athlete.
SELECT * FROM weekly_last_12;
