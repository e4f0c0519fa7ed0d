{#- DuckDB has no materialized views: the demo's daily_revenue (a materialized view on BigQuery)
    is built as a table when the project runs on dbt-duckdb. -#}
{% materialization materialized_view, adapter='duckdb' %}
  {{ return(materialization_table_duckdb()) }}
{% endmaterialization %}
