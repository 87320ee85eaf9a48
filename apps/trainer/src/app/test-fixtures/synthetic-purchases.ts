import { seededRandom } from '@mlp/model-runtime';

/**
 * Synthetic purchase-propensity rows whose true probability is known: a logistic function of the
 * features (missing order counts contribute their mean), labels drawn from it with a seeded PRNG.
 * A well-trained model's AUC should come close to the AUC of the true probabilities.
 */
export interface SyntheticRow {
  user_id: string;
  event_timestamp: string;
  label: number;
  true_probability: number;
  activity__page_views_7d: number;
  activity__orders_30d: number | null;
  activity__revenue_30d: string;
  profile__plan: string;
}


export interface SyntheticOptions {
  rows: number;
  end: Date;
  days: number;
  seed?: number;
  /** Multiplies every true effect: 0 makes labels pure noise around the prior. */
  signal?: number;
}

export function syntheticPurchases(options: SyntheticOptions): SyntheticRow[] {
  const random = seededRandom(options.seed ?? 42);
  const signal = options.signal ?? 1;
  const plans = ['free', 'plus', 'pro'];
  const planEffect: Record<string, number> = { free: 0, plus: 0.6, pro: 1.3 };
  const out: SyntheticRow[] = [];
  for (let i = 0; i < options.rows; i++) {
    const ts = new Date(options.end.getTime() - Math.floor(random() * options.days * 86_400_000) - 1000);
    const pageViews = Math.floor(random() * 40);
    const orders = Math.floor(random() * 5);
    const ordersMissing = random() < 0.1;
    const plan = plans[Math.floor(random() * 3)];
    const revenue = (random() * 200).toFixed(2);
    const z = -2.2 + signal * (0.07 * pageViews + 0.45 * (ordersMissing ? 2 : orders) + planEffect[plan]);
    const p = 1 / (1 + Math.exp(-z));
    out.push({
      user_id: `u${i}`,
      event_timestamp: ts.toISOString(),
      label: random() < p ? 1 : 0,
      true_probability: p,
      activity__page_views_7d: pageViews,
      activity__orders_30d: ordersMissing ? null : orders,
      activity__revenue_30d: revenue,
      profile__plan: plan,
    });
  }
  return out;
}
