/** A unit of work sent by the dispatcher. */
export interface Task {
  id: number;
  /** `quick`: a short asynchronous task. `block`: CPU-bound, blocks the event loop for `seconds`. */
  kind: 'quick' | 'block';
  seconds: number;
}

export const TASK_KINDS = ['quick', 'block'] as const;

/** Runs a task on the calling thread. A `block` task holds the event loop for its whole duration, on purpose. */
export async function runTask(task: Task): Promise<string> {
  if (task.kind === 'block') {
    const end = Date.now() + task.seconds * 1000;
    let spins = 0;
    while (Date.now() < end) spins++;
    return `blocked the event loop for ${task.seconds} s (${spins} spins)`;
  }
  await new Promise((resolve) => setTimeout(resolve, task.seconds * 1000));
  return 'done';
}
