import { Counter, type Registry } from 'prom-client';

/**
 * What the retry schedule did with failed webhook deliveries, for `/metrics`: a retry is
 * routine (a locked database, a 502), a given-up delivery is work the farm never did and an
 * operator must look at (the log line `delivery given up` names it).
 */
export class DeliveryMetrics {
  readonly #retried: Counter;
  readonly #givenUp: Counter;

  constructor(registry: Registry) {
    this.#retried = new Counter({ name: 'portfarm_webhook_delivery_retries_total', help: 'Failed webhook deliveries handled again by the retry schedule', registers: [registry] });
    this.#givenUp = new Counter({ name: 'portfarm_webhook_deliveries_given_up_total', help: 'Webhook deliveries whose handling failed on every attempt of the retry schedule (never done)', registers: [registry] });
  }

  retried(): void {
    this.#retried.inc();
  }

  givenUp(): void {
    this.#givenUp.inc();
  }
}
