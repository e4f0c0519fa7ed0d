with source as (

    select * from {{ source('raw', 'payments_raw') }}

)

select
    id as payment_id,
    order_id,
    payment_method,
    amount_cents / 100 as amount
from source
