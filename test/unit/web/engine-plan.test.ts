/** POSTS_ENGINE: the statements that bring the posts table to an engine, and the flag's rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagWarnings, resolveFlags } from '../../../services/shared/config/flags.ts';
import { planPostsEngine } from '../../../services/web/db/engine-plan.ts';

test('leaving InnoDB drops the foreign key first (MariaDB refuses otherwise), then converts', () => {
  assert.deepEqual(planPostsEngine({ engine: 'InnoDB', hasForeignKey: true }, 'MyISAM'), [
    'ALTER TABLE posts DROP FOREIGN KEY fk_posts_user',
    'ALTER TABLE posts ENGINE=MyISAM',
  ]);
  assert.deepEqual(planPostsEngine({ engine: 'MyISAM', hasForeignKey: false }, 'MEMORY'), [
    'ALTER TABLE posts ENGINE=MEMORY',
  ]);
});

test('coming back to InnoDB adds the foreign key again', () => {
  assert.deepEqual(planPostsEngine({ engine: 'Aria', hasForeignKey: false }, 'InnoDB'), [
    'ALTER TABLE posts ENGINE=InnoDB',
    'ALTER TABLE posts ADD CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id)',
  ]);
});

test('a table already right needs nothing; no table yet needs nothing', () => {
  assert.deepEqual(planPostsEngine({ engine: 'InnoDB', hasForeignKey: true }, 'InnoDB'), []);
  assert.deepEqual(planPostsEngine({ engine: 'MEMORY', hasForeignKey: false }, 'MEMORY'), []);
  assert.deepEqual(planPostsEngine({ engine: undefined, hasForeignKey: false }, 'Aria'), []);
});

test('POSTS_ENGINE: InnoDB by default, ARCHIVE refused naming the variable, warnings for the unsafe', () => {
  assert.equal(resolveFlags({}).postsEngine, 'InnoDB');
  assert.throws(() => resolveFlags({ POSTS_ENGINE: 'ARCHIVE' }), /POSTS_ENGINE=ARCHIVE: .*INSERT/);
  assert.throws(() => resolveFlags({ POSTS_ENGINE: 'innodb' }), /POSTS_ENGINE="innodb"/);
  const memory = flagWarnings(resolveFlags({ POSTS_ENGINE: 'MEMORY' })).join('\n');
  assert.match(memory, /lost when a MariaDB server restarts/);
  assert.equal(
    flagWarnings(resolveFlags({ STAGE: '1' })).some((w) => w.includes('POSTS_ENGINE')),
    false,
  );
});
