import { recipeSettingsSchema, type RecipeSettings } from '../../controller/images/recipe-settings.ts';

export const RUNNER_SHA = 'a'.repeat(64);

export function recipeSettings(overrides: Partial<RecipeSettings> = {}): RecipeSettings {
  return recipeSettingsSchema.parse({
    platform: '15_arm64',
    runnerVersion: '2.330.0',
    runnerSha256: RUNNER_SHA,
    macportsVersion: '2.11.5',
    mirrorUrl: 'http://mirror.farm:8081',
    ...overrides,
  });
}
