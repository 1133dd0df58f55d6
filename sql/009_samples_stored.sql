-- The per-second loads become derived: `samples` is a view over `samples_stored`, the columns a
-- second's row actually holds, with the same column names, order and types as before.
--
-- samples_stored        every column of samples but load, posterior_load and quad_load
-- samples.load          L = intensity_factor^2 x dt_s / 36 when the second has a pattern share
--                       p, else 0 (100 load points per hour at intensity factor 1)
-- samples.posterior_load  L x p x h
-- samples.quad_load       L x (1 - p)
--
-- The three loads were three quarters of the bytes of samples on disk (full-precision doubles
-- compress poorly) and are a pure function of the stored columns: the view computes them with the
-- very floating-point operations the model uses (hamflow.model.patterns.load_exprs), so they are
-- bit for bit what was stored before. Writes and deletes go to samples_stored; reads keep using
-- samples.
ALTER TABLE samples RENAME TO samples_stored;
ALTER TABLE samples_stored DROP COLUMN load;
ALTER TABLE samples_stored DROP COLUMN posterior_load;
ALTER TABLE samples_stored DROP COLUMN quad_load;

-- x * x and a multiplication by the reciprocal of 36, in this order: what polars evaluates for
-- the model's load expression, so the view and the model agree to the last bit.
CREATE VIEW samples AS
SELECT
    workout_id, ts_utc, dt_s, speed_mps, grade_pct, grade_source, altitude_m, distance_m, power_w,
    heart_rate_bpm, cadence, moving, intensity_factor, intensity_source, pattern, p, h,
    load,
    load * coalesce(p, 0.0::DOUBLE) * h AS posterior_load,
    load * (1.0::DOUBLE - coalesce(p, 0.0::DOUBLE)) AS quad_load,
    maxv, masked
FROM (
    SELECT *,
        CASE WHEN p IS NOT NULL
             THEN intensity_factor * intensity_factor * dt_s * (1.0::DOUBLE / 36.0::DOUBLE)
             ELSE 0.0::DOUBLE END AS load
    FROM samples_stored
);
