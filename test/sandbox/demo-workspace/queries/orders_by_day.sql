-- Orders and revenue per day over the last 30 days.
-- Run it with Ctrl+Enter (Cmd+Enter on macOS), or the "Run" CodeLens above a statement.
select
  order_date,
  count(*) as orders,
  sum(amount) as revenue
from `gatehouse-demo.analytics.orders`
where order_date >= date_sub(current_date(), interval 30 day)
group by order_date
order by order_date desc;
