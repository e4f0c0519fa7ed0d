-- One million page views: scroll to the end of the result, export it, or chart it.
select event_id, user_id, session_id, url, referrer, country, event_ts, duration_ms
from `gatehouse-demo.events.page_views`;

-- Top countries, with a named parameter (Gatehouse asks for its value).
select country, count(*) as views, avg(duration_ms) as avg_duration_ms
from `gatehouse-demo.events.page_views`
where duration_ms > @min_duration_ms
group by country
order by views desc
limit 20;
