// The comparison point for bench/slack_events.sh: a minimal Slack Bolt for
// JavaScript app that verifies the same signed message.im events and
// acknowledges them, doing no work of its own (Bolt acknowledges events
// before its listeners run).
const { App } = require('@slack/bolt');

const port = Number(process.env.PORT || 3000);
const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  token: 'xoxb-bench-not-used',
  tokenVerificationEnabled: false,  // no auth.test call: the bench has no network
  botId: 'B0BENCH',                 // given, so Bolt's authorize needs no auth.test either
  botUserId: 'UKONTOBOT',
});

let seen = 0;
app.event('message', async () => { seen += 1; });

(async () => {
  await app.start(port);
  console.log(`bolt listening on ${port}`);
})();
