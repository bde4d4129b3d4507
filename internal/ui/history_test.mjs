// Tests of history.js's pure functions, with node's own test runner:
//
//	node --test internal/ui/
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseNorloge } from "./static/board.js";
import { dayPath, newRows, norlogeDay, norlogeTarget } from "./static/history.js";

describe("dayPath", () => {
  it("writes a created stamp's day", () => {
    assert.equal(dayPath("20261207153012"), "2026-12-07");
  });
  it("refuses what is not a stamp", () => {
    assert.equal(dayPath(""), "");
    assert.equal(dayPath(undefined), "");
    assert.equal(dayPath("2026-12"), "");
  });
});

describe("norlogeDay", () => {
  it("is empty for an undated norloge", () => {
    assert.equal(norlogeDay(parseNorloge("12:00:00"), 20261207), "");
    assert.equal(norlogeDay(null, 20261207), "");
  });
  it("reads a full date", () => {
    assert.equal(norlogeDay(parseNorloge("2025/03/10#12:00:00"), 20261207), "2025-03-10");
    assert.equal(norlogeDay(parseNorloge("2025-03-10T12:00"), 20261207), "2025-03-10");
  });
  it("gives MM/DD the latest such day not after today", () => {
    assert.equal(norlogeDay(parseNorloge("03/10#12:00:00"), 20261207), "2026-03-10");
    assert.equal(norlogeDay(parseNorloge("12/07#12:00:00"), 20261207), "2026-12-07");
    assert.equal(norlogeDay(parseNorloge("12/25#12:00:00"), 20261207), "2025-12-25");
  });
});

describe("newRows", () => {
  it("keeps the ids not shown yet, in the page's order", () => {
    assert.deepEqual(newRows(["7", "8", "9"], ["9", "10"]), [7, 8]);
  });
  it("drops what is not an id", () => {
    assert.deepEqual(newRows(["x", "0", "3"], []), [3]);
  });
});

describe("norlogeTarget", () => {
  const row = { id: 42 };
  it("sends a dated norloge to its day's archive, at the message when found", () => {
    assert.equal(norlogeTarget("/t/", parseNorloge("2025/03/10#12:00:00"), row, 20261207), "/t/archives/2025-03-10/#m42");
    assert.equal(norlogeTarget("/t/", parseNorloge("2025/03/10#12:00:00"), undefined, 20261207), "/t/archives/2025-03-10/");
  });
  it("sends an undated norloge to the message's permalink", () => {
    assert.equal(norlogeTarget("/", parseNorloge("12:00:00"), row, 20261207), "/message/42/");
  });
  it("goes nowhere when nothing is found", () => {
    assert.equal(norlogeTarget("/", parseNorloge("12:00:00"), undefined, 20261207), "");
  });
});
