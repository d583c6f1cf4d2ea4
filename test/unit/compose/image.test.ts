/**
 * The Dockerfile and .dockerignore behind the app image every built compose service runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPOSE_DOC, obj, serviceOf } from '../../support/compose/fixture.ts';
import {
  dockerfileProblems,
  dockerfileStages,
  dockerignoreProblems,
} from '../../support/compose/image-checks.ts';
import { repoFile } from '../../support/compose/load.ts';
import { composeView } from '../../support/compose/view.ts';

const dockerfile = repoFile('Dockerfile');
const dockerignore = repoFile('.dockerignore');
const root = obj(COMPOSE_DOC);
const built = composeView(COMPOSE_DOC).services.filter((s) => s.build);
const target = (name: string) => obj(serviceOf(root, name).build).target;

test('every built service uses the one image, built from the Dockerfile stage that exists', () => {
  assert.deepEqual(
    built.map((s) => s.name),
    ['setup', 'web', 'read-api', 'write-api', 'lb', 'worker', 'cdn', 'autoscaler', 'db-monitor'],
  );
  assert.equal(new Set(built.map((s) => s.image)).size, 1);
  const targets = new Set(built.map((s) => target(s.name)));
  assert.equal(targets.size, 1);
  const [only] = targets;
  assert.equal(typeof only, 'string');
  assert.deepEqual(dockerfileProblems(dockerfile, String(only)), []);
});

test('the Dockerfile has a build stage, a production-dependencies stage and a runtime stage', () => {
  assert.deepEqual(
    dockerfileStages(dockerfile).map((s) => s.name),
    ['build', 'prod-deps', 'runtime'],
  );
});

test('.dockerignore keeps secrets, local state and build output out of the context', () => {
  assert.deepEqual(dockerignoreProblems(dockerignore), []);
});

const BROKEN: readonly [string, (text: string) => string, RegExp][] = [
  [
    'an unpinned base',
    (t) => t.replace(/FROM node:[^\s]+ AS runtime/, 'FROM node AS runtime'),
    /FROM: image node has no tag/,
  ],
  [
    'a latest base',
    (t) => t.replace(/FROM node:[^\s]+ AS build/, 'FROM node:latest AS build'),
    /latest/,
  ],
  ['a root runtime', (t) => t.replace(/^USER node$/m, 'USER root'), /runs as root/],
  ['no USER at all', (t) => t.replace(/^USER node$/m, ''), /runs as root/],
  ['npm start', (t) => t.replace(/^CMD .*$/m, 'CMD ["npm", "start"]'), /npm start/],
  ['NODE_ENV', (t) => t.replace(/^USER node$/m, 'ENV NODE_ENV=production\nUSER node'), /NODE_ENV/],
  [
    'dev dependencies from npm ci',
    (t) => t.replace('npm ci --omit=dev', 'npm ci'),
    /npm ci --omit=dev/,
  ],
  [
    'dev dependencies from the fallback install',
    (t) => t.replace('npm install --no-save --omit=dev', 'npm install --no-save'),
    /npm ci --omit=dev/,
  ],
  ['no build', (t) => t.replace('RUN npm run build', ''), /npm run build/],
  ['no dist', (t) => t.replace(/^COPY --from=build .*$/m, ''), /does not copy dist/],
  [
    'another final stage',
    (t) => `${t}\nFROM runtime AS debug\nUSER node\n`,
    /compose builds stage runtime, the last stage is debug/,
  ],
];

for (const [name, change, expect] of BROKEN) {
  test(`the Dockerfile check rejects ${name}`, () => {
    const problems = dockerfileProblems(change(dockerfile), 'runtime');
    assert.ok(
      problems.some((p) => expect.test(p)),
      JSON.stringify(problems),
    );
  });
}

test('the .dockerignore check rejects a context that lets secrets in', () => {
  assert.deepEqual(dockerignoreProblems(dockerignore.replace(/^\.secrets$/m, '')), [
    '.dockerignore lets .secrets in',
  ]);
  assert.deepEqual(dockerignoreProblems(`${dockerignore}\n!.stack/keep\n`), [
    '.dockerignore re-includes .stack/keep',
  ]);
});
