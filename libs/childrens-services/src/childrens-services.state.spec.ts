import { allowedMoves, CS_MACHINES } from './childrens-services.state';

/** The state machines as docs/domain.md ("Children's services: state machines") documents them. */
const DOCUMENTED: Record<string, Record<string, string[]>> = {
  case: { OPEN: ['CLOSED'], CLOSED: [] },
  assessment: { OPEN: ['AUTHORISED'], AUTHORISED: [] },
  strategy_discussion: { CONVENED: ['HELD'], HELD: [] },
  s47: { OPEN: ['COMPLETED'], COMPLETED: [] },
  plan: { ACTIVE: ['ENDED'], ENDED: [] },
};

describe("children's services' state machines", () => {
  it('has exactly the documented machines and states', () => {
    expect(Object.keys(CS_MACHINES).sort()).toEqual(Object.keys(DOCUMENTED).sort());
    for (const [machine, states] of Object.entries(DOCUMENTED)) {
      expect({ machine, states: Object.keys(CS_MACHINES[machine as keyof typeof CS_MACHINES]).sort() }).toEqual({
        machine,
        states: Object.keys(states).sort(),
      });
    }
  });

  it.each(
    Object.entries(DOCUMENTED).flatMap(([machine, states]) =>
      Object.entries(states).map(([from, to]) => [machine, from, to] as const),
    ),
  )('%s %s may move to %j only', (machine, from, to) => {
    expect(allowedMoves(machine as keyof typeof CS_MACHINES, from)).toEqual(to);
  });

  it('every move leads to a state of the same machine, and each machine has a final state', () => {
    for (const [machine, states] of Object.entries(CS_MACHINES) as [string, Record<string, readonly string[]>][]) {
      for (const to of Object.values(states).flat())
        expect({ machine, to, known: to in states }).toMatchObject({ known: true });
      expect({ machine, final: Object.values(states).some((m) => m.length === 0) }).toEqual({ machine, final: true });
    }
  });

  it('an unknown state has no moves', () => {
    expect(allowedMoves('case', 'NOWHERE')).toEqual([]);
  });
});
