/**
 * The SDK versions the tests run: every minor published from 1.21 to 1.33, the newest patch of each,
 * and 1.21.0, the floor of the peer range. Each is a devDependency (an npm alias but the newest).
 * The whole suite runs on the oldest and the newest; the smaller set on the others.
 */
export const SDK_VERSIONS = [
  { sdk: 'hatchet-sdk-1.21.0', version: '1.21.0', suite: 'whole' },
  { sdk: 'hatchet-sdk-1.21.2', version: '1.21.2', suite: 'small' },
  { sdk: 'hatchet-sdk-1.22.0', version: '1.22.0', suite: 'small' },
  { sdk: 'hatchet-sdk-1.23.0', version: '1.23.0', suite: 'small' },
  { sdk: 'hatchet-sdk-1.24.3', version: '1.24.3', suite: 'small' },
  { sdk: 'hatchet-sdk-1.26.0', version: '1.26.0', suite: 'small' },
  { sdk: 'hatchet-sdk-1.28.2', version: '1.28.2', suite: 'small' },
  { sdk: 'hatchet-sdk-1.30.0', version: '1.30.0', suite: 'small' },
  { sdk: 'hatchet-sdk-1.31.1', version: '1.31.1', suite: 'small' },
  { sdk: '@hatchet-dev/typescript-sdk', version: '1.33.2', suite: 'whole' },
] as const;
