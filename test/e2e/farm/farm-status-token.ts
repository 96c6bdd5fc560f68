/** The status token the farm's controller child takes and the harness sends (GET /api/status). */
export const FARM_STATUS_TOKEN = 'farm-status-token';
