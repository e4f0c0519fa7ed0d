with source as (

    select * from {{ source('raw', 'orders_raw') }}

)

select
    id as order_id,
    customer_id,
    order_date,
    status
from source
