-- Only data engineers may read the finance project: sign in as bob to see how a refusal is explained.
select * from `gatehouse-finance.finance.revenue` limit 100;
