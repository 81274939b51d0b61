import { test } from 'node:test';
import assert from 'node:assert/strict';
import { growCommands, memberShortfalls } from '../../../src/broker/index.js';
import type { ClusterView } from '../../../src/broker/index.js';

const view = (
  members: Record<string, string[]>,
  running = ['rabbit@a', 'rabbit@b', 'rabbit@c'],
): ClusterView => ({
  api: 'http://a:15672/',
  runningNodes: running,
  queues: Object.entries(members).map(([queue, nodes]) => ({ queue, members: nodes, leader: nodes[0] })),
});

test('a queue with fewer members than running nodes is a shortfall, with the nodes it lacks', () => {
  const shortfalls = memberShortfalls(
    view({
      'data-lake': ['rabbit@a'],
      'data-clean': ['rabbit@a', 'rabbit@b', 'rabbit@c'],
      'data-dead': ['rabbit@a', 'rabbit@c'],
    }),
  );
  assert.deepEqual(shortfalls, [
    { queue: 'data-lake', members: 1, runningNodes: 3, missingOn: ['rabbit@b', 'rabbit@c'] },
    { queue: 'data-dead', members: 2, runningNodes: 3, missingOn: ['rabbit@b'] },
  ]);
  assert.deepEqual(growCommands(shortfalls, 'logs.prod'), [
    "rabbitmq-queues grow rabbit@b all --vhost-pattern '^logs\\.prod$' --queue-pattern '^(data-lake|data-dead)$'",
    "rabbitmq-queues grow rabbit@c all --vhost-pattern '^logs\\.prod$' --queue-pattern '^(data-lake|data-dead)$'",
  ]);
});

test('no shortfall when every queue is on every running node, or a member node is down', () => {
  const all = ['rabbit@a', 'rabbit@b', 'rabbit@c'];
  assert.deepEqual(memberShortfalls(view({ 'data-lake': all, 'data-clean': all })), []);
  assert.deepEqual(memberShortfalls(view({ 'data-lake': all }, ['rabbit@a', 'rabbit@b'])), []);
  assert.deepEqual(memberShortfalls(view({ 'data-lake': ['rabbit@a'] }, ['rabbit@a'])), []);
});
