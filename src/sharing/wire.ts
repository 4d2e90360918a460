/**
 * What tabs say to each other over the BroadcastChannel of one shared link. Every message names
 * its sender (`from`, a tab id); `lid` names one link of one leader, so that nothing meant for a
 * link that ended is applied to the next one.
 */
export type TabMessage =
  /** The sender holds the lock now: whoever followed another leader's link must let it go. */
  | { t: 'leader'; from: string }
  /** A tab wants the link: the leader answers with `open` if its link is open. */
  | { t: 'hello'; from: string }
  | { t: 'open'; from: string; lid: string; transport: string | null }
  | { t: 'msg'; from: string; lid: string; data: string }
  | { t: 'close'; from: string; lid: string; code: number; reason: string; wasClean: boolean }
  /** A follower's messages for the link `lid`, numbered per tab. */
  | { t: 'send'; from: string; lid: string; seq: number; data: string[] }
  /** The follower's batches up to `seq` went out on the leader's link (a frame written, a POST answered): `to` forgets them. */
  | { t: 'ack'; from: string; to: string; seq: number };

/** The BroadcastChannel and lock name of one shared link: one per URL and key, never across them. */
export const channelName = (url: string, key: string) => `resock ${JSON.stringify([url, key])}`;
