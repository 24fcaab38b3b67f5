-- Nightly snapshot of customers and their billing, for the upsell model.
CREATE TABLE analytics.customer_snapshot AS
WITH paying AS (
    SELECT customer_id, SUM(amount) AS billed
    FROM billing.invoices
    WHERE EXTRACT(YEAR FROM issued_at) >= 2025
    GROUP BY customer_id
)
SELECT c.customer_id, c.plan_id, c.seats, c.upgraded, p.billed
FROM crm.customers AS c
JOIN paying AS p ON p.customer_id = c.customer_id;
