-- The model of whether and how often a customer buys is now the MBG/NBD, not the BG/NBD: the BG/NBD held
-- every one-time buyer alive for certain (docs/predictions.md). The column is named for what it holds
-- rather than for one model, and each stored fit says which model it is; the fits already stored are
-- BG/NBD's and say so.
alter table prediction_models rename column bgnbd to purchases;
update prediction_models set purchases = purchases || '{"model": "BG/NBD"}';
