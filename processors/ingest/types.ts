/** A request on energy_processor (schemas/energy_processor.avsc). */
export interface EnergyRequest {
  date: string
  request_id: string
  requested_at: number
  /** Empty means every source. */
  sources: string[]
  /** fetched_at of the account the request was made with (version 2; null: none, or before). */
  account_version: number | null
  /** Consecutive days from `date` the request covers (version 3; 1 before). */
  days: number
}
