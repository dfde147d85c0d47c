-- Providers that send only the texts they approved (Aliyun SMS) take a template code and its variables
-- instead of a text: an SMS template names them here, each variable written in Liquid.
alter table templates add column provider_template jsonb;
