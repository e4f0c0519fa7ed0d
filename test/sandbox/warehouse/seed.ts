// The demo shop's data and catalog. Other sandbox services (dbt demo project, Looker, Metabase)
// build on exactly these names. Rows come from DuckDB's range() and hash(): deterministic ids,
// amounts and statuses; dates are relative to the day the sandbox starts so the demo stays fresh.
import { groupEmail, GROUPS } from '../directory';

export type AccessRole = 'READER' | 'WRITER' | 'OWNER';
export interface AccessEntry {
  role?: AccessRole;
  groupByEmail?: string;
  userByEmail?: string;
  specialGroup?: string;
  view?: { projectId: string; datasetId: string; tableId: string };
}

export interface ProjectSeed {
  id: string;
  numericId: string;
  friendlyName: string;
  /** Groups that may list datasets and create jobs (roles/bigquery.user). */
  members: string[];
  /** Groups that may see everyone's jobs (roles/bigquery.admin). */
  admins: string[];
}

export interface DatasetSeed {
  projectId: string;
  datasetId: string;
  description: string;
  labels: Record<string, string>;
  access: AccessEntry[];
}

export interface TableSeed {
  projectId: string;
  datasetId: string;
  tableId: string;
  type: 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW';
  description: string;
  /** BigQuery SQL; DuckDB runs its translation. For tables: CREATE TABLE … AS <sql>. */
  sql: string;
  columns?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface RoutineSeed {
  projectId: string;
  datasetId: string;
  routineId: string;
  description: string;
  arguments: { name: string; dataType: { typeKind: string } }[];
  returnType: { typeKind: string };
  definitionBody: string;
  /** DuckDB macro body over the argument names. */
  duckdb: string;
}

export const DEMO_PROJECT = 'gatehouse-demo';
export const FINANCE_PROJECT = 'gatehouse-finance';

export const PROJECTS: ProjectSeed[] = [
  { id: DEMO_PROJECT, numericId: '480213370001', friendlyName: 'Gatehouse Demo', members: [GROUPS.analysts, GROUPS.engineers], admins: [GROUPS.engineers] },
  { id: FINANCE_PROJECT, numericId: '480213370002', friendlyName: 'Gatehouse Finance', members: [GROUPS.engineers], admins: [GROUPS.engineers] },
];

const owners: AccessEntry = { role: 'OWNER', specialGroup: 'projectOwners' };
const engineersWrite: AccessEntry = { role: 'WRITER', groupByEmail: groupEmail(GROUPS.engineers) };
const analystsRead: AccessEntry = { role: 'READER', groupByEmail: groupEmail(GROUPS.analysts) };
const authorizedView = (tableId: string): AccessEntry => ({ view: { projectId: DEMO_PROJECT, datasetId: 'analytics', tableId } });

export const DATASETS: DatasetSeed[] = [
  {
    projectId: DEMO_PROJECT,
    datasetId: 'raw',
    description: 'Raw shop data as Airbyte loads it. Data engineers only; analysts read it through the staging views in analytics.',
    labels: { layer: 'raw', owner: 'data-engineering' },
    access: [owners, engineersWrite, authorizedView('stg_orders'), authorizedView('stg_customers'), authorizedView('stg_payments')],
  },
  {
    projectId: DEMO_PROJECT,
    datasetId: 'analytics',
    description: 'Modelled shop data built by dbt: staging views and marts.',
    labels: { layer: 'marts', owner: 'data-engineering' },
    access: [owners, engineersWrite, analystsRead],
  },
  {
    projectId: DEMO_PROJECT,
    datasetId: 'events',
    description: 'Web analytics events.',
    labels: { layer: 'events' },
    access: [owners, engineersWrite, analystsRead],
  },
  {
    projectId: DEMO_PROJECT,
    datasetId: 'marketing',
    description: 'One table per marketing campaign (250 of them).',
    labels: { layer: 'marketing' },
    access: [owners, engineersWrite, analystsRead],
  },
  {
    projectId: FINANCE_PROJECT,
    datasetId: 'finance',
    description: 'Monthly revenue and vendor payouts. Data engineers only.',
    labels: { layer: 'finance', confidentiality: 'restricted' },
    access: [owners, engineersWrite],
  },
];

/** Served only when the sandbox shares a DuckDB file with real dbt (WarehouseOptions.dbtFile). */
export const DBT_DATASET: DatasetSeed = {
  projectId: DEMO_PROJECT,
  datasetId: 'dbt_dev',
  description: 'What dbt builds from the demo project (profiles.yml, target dev); empty until dbt runs.',
  labels: { layer: 'dev', owner: 'data-engineering' },
  access: [owners, engineersWrite, analystsRead],
};

// Deterministic pseudo-random pick: element of a list by hash of (id, salt).
const pick = (list: string[], id: string, salt: string) => `[${list.map((s) => `'${s}'`).join(', ')}][1 + (hash(${id}, '${salt}') % ${list.length})::BIGINT]`;
const rnd = (id: string, salt: string, n: number) => `(hash(${id}, '${salt}') % ${n})::${n < 2 ** 31 ? 'INTEGER' : 'BIGINT'}`;

const FIRST = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ingrid', 'Jonas', 'Kemal', 'Lena', 'Mateo', 'Nora', 'Olu', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Andersen', 'Brown', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Larsen', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Weber'];
const CITIES = [
  ['Oslo', 'NO'],
  ['Berlin', 'DE'],
  ['Paris', 'FR'],
  ['London', 'GB'],
  ['New York', 'US'],
  ['Austin', 'US'],
  ['Tokyo', 'JP'],
  ['Lagos', 'NG'],
  ['São Paulo', 'BR'],
  ['Toronto', 'CA'],
];
const STREETS = ['Main St', 'Storgata', 'Hauptstraße', 'Rue de Rivoli', 'High Street', 'Elm Ave', 'Sakura-dori'];

/** Rows in page_views that carry hostile text (result-panel injection tests). */
export const HOSTILE_TEXT = [
  '<img src=x onerror=alert(1)>',
  '=HYPERLINK("http://x")',
  'javascript:alert(1)',
  '<script>alert("xss")</script>',
  '🦆🚀 https://shop.example.com/p/ünïcødé',
  'مرحبا بالعالم \u202Egnp.exe',
  '+cmd|\' /C calc\'!A0',
  '"><svg onload=alert(1)>',
];

export function tableSeeds(today: string, largeTableRows: number): TableSeed[] {
  const d = `DATE '${today}'`;
  const raw = (t: string) => `\`${DEMO_PROJECT}.raw.${t}\``;
  const an = (t: string) => `\`${DEMO_PROJECT}.analytics.${t}\``;
  const cityIdx = (id: string, salt: string) => `(hash(${id}, '${salt}') % ${CITIES.length})::BIGINT + 1`;
  const cityList = `[${CITIES.map(([c]) => `'${c}'`).join(', ')}]`;
  const countryList = `[${CITIES.map(([, c]) => `'${c}'`).join(', ')}]`;
  const address = (salt: string) =>
    `STRUCT_PACK(street := (1 + ${rnd('customer_id', `${salt}n`, 200)})::VARCHAR || ' ' || ${pick(STREETS, 'customer_id', `${salt}s`)}, city := ${cityList}[${cityIdx('customer_id', salt)}], country := ${countryList}[${cityIdx('customer_id', salt)}])`;
  const seeds: TableSeed[] = [
    {
      projectId: DEMO_PROJECT,
      datasetId: 'raw',
      tableId: 'customers_raw',
      type: 'TABLE',
      description: 'Customers as loaded by Airbyte from the shop database.',
      sql: `SELECT i AS id, ${pick(FIRST, 'i', 'fn')} AS first_name, ${pick(LAST, 'i', 'ln')} AS last_name,
        'customer' || i || '@example.net' AS email,
        CAST(${d} - 366 - ${rnd('i', 'created', 730)} AS TIMESTAMP) + to_seconds(${rnd('i', 'sec', 86400)}) AS created_at,
        ${countryList}[${cityIdx('i', 'home')}] AS country_code,
        CAST(${d} AS TIMESTAMP) AS updated_at,
        CAST(${d} AS TIMESTAMP) AS _airbyte_extracted_at
        FROM range(1, 5001) AS r(i) ORDER BY i`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'raw',
      tableId: 'orders_raw',
      type: 'TABLE',
      description: 'Orders as loaded by Airbyte from the shop database.',
      sql: `SELECT i AS id, 1 + ${rnd('i', 'cust', 5000)} AS customer_id, CAST(${d} - 1 - ${rnd('i', 'day', 365)} AS DATE) AS order_date,
        CASE WHEN ${rnd('i', 'st', 100)} < 80 THEN 'completed' WHEN ${rnd('i', 'st', 100)} < 88 THEN 'shipped'
             WHEN ${rnd('i', 'st', 100)} < 92 THEN 'placed' WHEN ${rnd('i', 'st', 100)} < 97 THEN 'returned' ELSE 'cancelled' END AS status,
        1 + ${rnd('i', 'items', 5)} AS item_count,
        CAST(${d} AS TIMESTAMP) AS updated_at,
        CAST(${d} AS TIMESTAMP) AS _airbyte_extracted_at
        FROM range(1, 50001) AS r(i) ORDER BY i`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'raw',
      tableId: 'payments_raw',
      type: 'TABLE',
      description: 'Payments in cents; an order has one payment, some have a second one by gift card.',
      sql: `SELECT row_number() OVER (ORDER BY order_id, n) AS id, order_id, payment_method, amount AS amount_cents, created_at FROM (
          SELECT i AS order_id, 1 AS n, ${pick(['credit_card', 'credit_card', 'credit_card', 'credit_card', 'bank_transfer', 'coupon', 'gift_card'], 'i', 'pm')} AS payment_method,
                 500 + ${rnd('i', 'amt', 24500)} AS amount, CAST(${d} - 1 - ${rnd('i', 'day', 365)} AS TIMESTAMP) + to_seconds(${rnd('i', 'psec', 86400)}) AS created_at
          FROM range(1, 50001) AS r(i)
          UNION ALL
          SELECT i, 2, 'gift_card', 100 + ${rnd('i', 'gc', 5000)}, CAST(${d} - 1 - ${rnd('i', 'day', 365)} AS TIMESTAMP) + to_seconds(${rnd('i', 'psec', 86400)} + 60)
          FROM range(1, 50001) AS r(i) WHERE ${rnd('i', 'second', 10)} = 0
        ) ORDER BY id`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'analytics',
      tableId: 'stg_customers',
      type: 'VIEW',
      description: 'Staging view over raw.customers_raw.',
      sql: `select id as customer_id, first_name || ' ' || last_name as name, email, created_at, country_code as country from ${raw('customers_raw')}`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'analytics',
      tableId: 'stg_orders',
      type: 'VIEW',
      description: 'Staging view over raw.orders_raw.',
      sql: `select id as order_id, customer_id, order_date, status, item_count from ${raw('orders_raw')}`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'analytics',
      tableId: 'stg_payments',
      type: 'VIEW',
      description: 'Staging view over raw.payments_raw, amounts in dollars.',
      sql: `select id as payment_id, order_id, payment_method, \`${DEMO_PROJECT}.analytics.cents_to_dollars\`(amount_cents) as amount from ${raw('payments_raw')}`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'analytics',
      tableId: 'orders',
      type: 'TABLE',
      description: 'One row per order with its total paid amount.',
      columns: { order_id: 'Primary key.', customer_id: 'Foreign key to customers.', amount: 'Total paid, in dollars.', status: 'placed, shipped, completed, returned or cancelled.' },
      sql: `select o.order_id, o.customer_id, o.order_date, o.status, CAST(sum(p.amount) AS NUMERIC) as amount,
          any_value(p.payment_method ORDER BY p.payment_id) as payment_method, o.item_count
        from ${an('stg_orders')} o join ${an('stg_payments')} p using (order_id)
        group by o.order_id, o.customer_id, o.order_date, o.status, o.item_count order by o.order_id`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'analytics',
      tableId: 'customers',
      type: 'TABLE',
      description: 'One row per customer with tags, addresses and lifetime value.',
      columns: { customer_id: 'Primary key.', tags: 'Marketing tags.', addresses: 'Shipping addresses, most recent first.', lifetime_value: 'Sum of completed orders, in dollars.' },
      sql: `select c.customer_id, c.name, c.email, c.created_at,
          [t FOR t IN ['newsletter', 'vip', 'wholesale', 'returning', 'beta'] IF hash(c.customer_id, t) % 4 = 0] as tags,
          CASE WHEN ${rnd('c.customer_id', 'two', 4)} = 0 THEN [${address('a1')}, ${address('a2')}] ELSE [${address('a1')}] END as addresses,
          CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'completed'), 0) AS FLOAT64) as lifetime_value
        from ${an('stg_customers')} c left join ${an('orders')} o using (customer_id)
        group by c.customer_id, c.name, c.email, c.created_at order by c.customer_id`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'analytics',
      tableId: 'daily_revenue',
      type: 'MATERIALIZED_VIEW',
      description: 'Revenue per day from orders that were not cancelled or returned.',
      sql: `select order_date as day, count(*) as orders, CAST(sum(amount) AS NUMERIC) as revenue from ${an('orders')}
        where status not in ('cancelled', 'returned') group by order_date order by day`,
    },
    {
      projectId: DEMO_PROJECT,
      datasetId: 'events',
      tableId: 'page_views',
      type: 'TABLE',
      description: `Page views on the shop, ${largeTableRows.toLocaleString('en-US')} rows.`,
      columns: { referrer: 'NULL when unknown, empty string for direct traffic.', duration_ms: 'Time on page.' },
      sql: `SELECT i AS event_id, 1 + ${rnd('i', 'u', 5000)} AS user_id, 'sess_' || substr(md5(CAST(i // 7 AS VARCHAR)), 1, 16) AS session_id,
          CASE WHEN i <= ${HOSTILE_TEXT.length} THEN [${HOSTILE_TEXT.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')}][i]
               ELSE 'https://shop.example.com' || ${pick(['/', '/products', '/cart', '/checkout', '/search?q=socks', '/account', '/p/'], 'i', 'path')}
                 || CASE WHEN ${rnd('i', 'path', 7)} = 6 THEN CAST(1 + ${rnd('i', 'prod', 500)} AS VARCHAR) ELSE '' END END AS url,
          CASE WHEN i <= ${HOSTILE_TEXT.length} THEN [${HOSTILE_TEXT.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')}][${HOSTILE_TEXT.length} + 1 - i]
               WHEN ${rnd('i', 'ref', 100)} < 15 THEN NULL WHEN ${rnd('i', 'ref', 100)} < 25 THEN ''
               ELSE ${pick(['https://www.google.com/', 'https://duckduckgo.com/', 'https://t.co/abc', 'https://news.ycombinator.com/', 'https://www.bing.com/'], 'i', 'refsrc')} END AS referrer,
          ${countryList}[${cityIdx('i', 'cty')}] AS country,
          CAST(${d} AS TIMESTAMP) - to_microseconds(${rnd('i', 'ts', 30 * 86_400_000_000)}) AS event_ts,
          CAST(${rnd('i', 'dur', 600000)} AS DOUBLE) / 10 AS duration_ms
        FROM range(1, ${largeTableRows + 1}) AS r(i)`,
    },
    {
      projectId: FINANCE_PROJECT,
      datasetId: 'finance',
      tableId: 'revenue',
      type: 'TABLE',
      description: 'Monthly revenue by country, from the shop orders.',
      sql: `select DATE_TRUNC(o.order_date, MONTH) as month, c.country, count(*) as orders,
          CAST(sum(o.amount) FILTER (WHERE o.status <> 'cancelled') AS NUMERIC) as gross_revenue,
          CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'returned'), 0) AS NUMERIC) as refunds
        from ${an('orders')} o join ${an('stg_customers')} c using (customer_id) group by 1, 2 order by 1, 2`,
    },
    {
      projectId: FINANCE_PROJECT,
      datasetId: 'finance',
      tableId: 'payouts',
      type: 'TABLE',
      description: 'Vendor payouts.',
      sql: `SELECT i AS payout_id, ${pick(['Acme Socks Ltd', 'Nordic Wool AS', 'Parcelly', 'CloudHost Inc', 'AdNetwork GmbH'], 'i', 'v')} AS vendor,
          CAST((1000 + ${rnd('i', 'amt', 9000000)}) / 100 AS NUMERIC) AS amount, 'USD' AS currency,
          CAST(${d} - ${rnd('i', 'day', 365)} AS TIMESTAMP) AS paid_at,
          CASE WHEN ${rnd('i', 'st', 20)} = 0 THEN 'pending' ELSE 'paid' END AS status
        FROM range(1, 1201) AS r(i) ORDER BY i`,
    },
  ];
  for (let n = 1; n <= 250; n++) {
    const id = String(n).padStart(3, '0');
    seeds.push({
      projectId: DEMO_PROJECT,
      datasetId: 'marketing',
      tableId: `campaign_${id}`,
      type: 'TABLE',
      description: `Daily performance of campaign ${id}.`,
      labels: { channel: ['search', 'social', 'email', 'display'][n % 4] },
      sql: `SELECT CAST(${d} - 30 + i::INTEGER AS DATE) AS day, '${['search', 'social', 'email', 'display'][n % 4]}' AS channel,
          1000 + ${rnd(`i + ${n * 100}`, 'imp', 50000)} AS impressions, 10 + ${rnd(`i + ${n * 100}`, 'clk', 900)} AS clicks,
          CAST((100 + ${rnd(`i + ${n * 100}`, 'spend', 90000)}) / 100 AS NUMERIC) AS spend
        FROM range(0, 30) AS r(i) ORDER BY day`,
    });
  }
  return seeds;
}

export const ROUTINES: RoutineSeed[] = [
  {
    projectId: DEMO_PROJECT,
    datasetId: 'analytics',
    routineId: 'cents_to_dollars',
    description: 'Converts an amount in cents to dollars.',
    arguments: [{ name: 'cents', dataType: { typeKind: 'INT64' } }],
    returnType: { typeKind: 'NUMERIC' },
    definitionBody: 'CAST(cents / 100 AS NUMERIC)',
    duckdb: 'CAST(CAST(cents AS DECIMAL(38,9)) / 100 AS DECIMAL(38,9))',
  },
];
