with source as (

    select * from {{ source('raw', 'customers_raw') }}

)

select
    id as customer_id,
    first_name,
    last_name,
    email,
    country_code
from source
