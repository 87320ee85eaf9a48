SELECT date, country, channel, sum(spend)::numeric(14,2) AS spend
  FROM src_marketing_spend
 GROUP BY date, country, channel
