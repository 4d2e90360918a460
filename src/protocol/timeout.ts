/**
 * Connect timeouts from the measured round trip (sockjs-client's RTO, after RFC 2988): generous
 * enough that a slow real network never loses a transport, and a `floor` the user may raise.
 */
export function retransmissionTimeout(rtt: number): number {
  return rtt > 100 ? 4 * rtt : 300 + rtt;
}

export function connectTimeout(rtt: number, roundTrips: number, floor = 0): number {
  return Math.max(floor, retransmissionTimeout(rtt) * roundTrips);
}

/**
 * How long a candidate may try alone before the next one is started beside it. A black-holing
 * proxy shows as "no answer after a few round trips"; a slow network shows a large `rtt` and so
 * gets a long grace (`rtt` comes from `/info`, which crossed the same network). Five round trips
 * cover a new WebSocket's TCP + TLS + upgrade + `o` frame; the racer then needs one more to open.
 */
export function raceGrace(rtt: number): number {
  return Math.max(100, 5 * rtt);
}
