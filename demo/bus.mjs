// The message bus between demo nodes in cluster mode: RabbitMQ over AMQP (amqplib), one fanout
// exchange, one exclusive queue per node. Each node publishes what its clients say and hears
// everything any node published (its own messages included), so every node delivers a room's
// messages to its local members in the order each sender said them: RabbitMQ keeps the order of
// one channel's publishes into one queue.
import amqp from 'amqplib';

const EXCHANGE = 'resock-demo.chat';

/**
 * Connects to RabbitMQ and subscribes. `onMessage(object)` gets every published object.
 * Resolves with `{ publish(object), close() }`; `close()` flushes what was published first.
 * `onLost(error)` hears that the broker connection ended without `close()`.
 */
export async function connectBus({ url = 'amqp://guest:guest@127.0.0.1:5672', onMessage, onLost = () => {} }) {
  const connection = await amqp.connect(url);
  let closing = false;
  connection.on('error', () => {}); // 'close' follows with the reason
  connection.on('close', (error) => closing || onLost(error || new Error('broker connection closed')));
  const channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'fanout', { durable: false });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, EXCHANGE, '');
  await channel.consume(
    queue,
    (delivery) => {
      if (!delivery) return; // the broker cancelled the consumer; 'close' tells the rest
      let message;
      try {
        message = JSON.parse(delivery.content.toString('utf8'));
      } catch {
        return; // not ours: a stray publish to the exchange
      }
      onMessage(message);
    },
    { noAck: true },
  );
  return {
    publish(message) {
      channel.publish(EXCHANGE, '', Buffer.from(JSON.stringify(message)));
    },
    async close() {
      closing = true;
      // Closing the channel waits for the broker's answer, so every earlier publish reached it.
      await channel.close().catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}
