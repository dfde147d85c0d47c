-- Each customer's tags as an array on their row, kept by triggers on customer_tags. A segment condition
-- on tags ("has oily-skin") was a semi-join of the tag's carriers with the customer rows: at a million
-- customers, hashing its 450,000 carriers cost a count half a second, while the rest of the rule was a
-- test on each row of one pass. Now the tag condition is one more such test (segments/compile.ts).
-- customer_tags stays the record (who applied a tag, when); the array follows it.
alter table customers add column tag_ids uuid[] not null default '{}';

update customers c set tag_ids = t.ids
  from (select shop_id, customer_id, array_agg(tag_id order by tag_id) as ids
          from customer_tags group by 1, 2) t
 where c.shop_id = t.shop_id and c.customer_id = t.customer_id;

-- Per statement, not per row: a rule tag's back-fill inserts hundreds of thousands of rows in one
-- statement, and each customer it touches is rewritten once, from what customer_tags holds after it.
create function customers_retag() returns trigger language plpgsql as $$
begin
  update customers c
     set tag_ids = coalesce((select array_agg(t.tag_id order by t.tag_id) from customer_tags t
                              where t.shop_id = c.shop_id and t.customer_id = c.customer_id), '{}')
    from (select distinct shop_id, customer_id from changed) x
   where c.shop_id = x.shop_id and c.customer_id = x.customer_id;
  return null;
end $$;

create trigger customer_tags_added after insert on customer_tags
  referencing new table as changed for each statement execute function customers_retag();
create trigger customer_tags_removed after delete on customer_tags
  referencing old table as changed for each statement execute function customers_retag();
-- Rows come and go (tags/tags.ts, tags/rules.ts, merges); one moved to another customer would change
-- both customers' arrays, so an update retags the customers on either side of it.
create trigger customer_tags_moved_from after update on customer_tags
  referencing old table as changed for each statement execute function customers_retag();
create trigger customer_tags_moved_to after update on customer_tags
  referencing new table as changed for each statement execute function customers_retag();
