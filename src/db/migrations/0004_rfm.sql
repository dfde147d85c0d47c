-- RFM: each customer's recency, frequency and monetary value over the shop's window, scored 1-5 (by
-- quantiles or fixed thresholds) and named (Champions … Lost), kept on the customer row for segments.

create table rfm_settings (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  settings jsonb not null,
  -- Scores are recomputed nightly at the shop's midnight, and on demand.
  next_run_at timestamptz
);

alter table customers
  add column rfm_recency_days integer,
  add column rfm_frequency integer,
  add column rfm_monetary_cents bigint,
  add column rfm_r smallint,
  add column rfm_f smallint,
  add column rfm_m smallint,
  add column rfm_segment text,
  add column rfm_at timestamptz;
