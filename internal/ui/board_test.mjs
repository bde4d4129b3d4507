// Tests of board.js's pure functions (the norloge grammar, references,
// hails), with node's own test runner and no dependency:
//
//	node --test internal/ui/
//
// board.js only touches the DOM in a browser, so node can import it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  clockReference,
  fromSuperscript,
  hails,
  indexMarks,
  norlogeMatches,
  parseNorloge,
  resolveNorloge,
  superscript,
} from "./static/board.js";

// norloge builds parseNorloge's answer from the fields that differ from
// a plain HH:MM:SS.
const norloge = (fields) => ({
  year: 0,
  month: 0,
  day: 0,
  hour: 0,
  minute: 0,
  second: 0,
  index: 0,
  bouchot: "",
  ...fields,
});

describe("parseNorloge", () => {
  const cases = [
    // [text, expected fields, or null for "not a norloge"]
    ["12:34", { hour: 12, minute: 34, second: null }],
    ["12:34:56", { hour: 12, minute: 34, second: 56 }],
    ["00:00:00", { hour: 0, minute: 0, second: 0 }],
    ["23:59:59", { hour: 23, minute: 59, second: 59 }],
    ["123456", { hour: 12, minute: 34, second: 56 }],
    ["  12:34:56 ", { hour: 12, minute: 34, second: 56 }],
    // Indices: superscripts (one or two), ^N and :N.
    ["12:34:56¹", { hour: 12, minute: 34, second: 56, index: 1 }],
    ["12:34:56²", { hour: 12, minute: 34, second: 56, index: 2 }],
    ["12:34:56³", { hour: 12, minute: 34, second: 56, index: 3 }],
    ["12:34:56⁹", { hour: 12, minute: 34, second: 56, index: 9 }],
    ["12:34:56¹⁰", { hour: 12, minute: 34, second: 56, index: 10 }],
    ["12:34:56^2", { hour: 12, minute: 34, second: 56, index: 2 }],
    ["12:34:56^12", { hour: 12, minute: 34, second: 56, index: 12 }],
    ["12:34:56:3", { hour: 12, minute: 34, second: 56, index: 3 }],
    ["123456²", { hour: 12, minute: 34, second: 56, index: 2 }],
    ["123456:4", { hour: 12, minute: 34, second: 56, index: 4 }],
    // An index after HH:MM is read (olcc writes it) but has no meaning.
    ["12:34²", { hour: 12, minute: 34, second: null }],
    ["12:34^2", { hour: 12, minute: 34, second: null }],
    // Dated forms.
    ["01/31#12:34:56", { month: 1, day: 31, hour: 12, minute: 34, second: 56 }],
    ["12/01#08:00", { month: 12, day: 1, hour: 8, minute: 0, second: null }],
    ["2024-01-31T12:34:56", { year: 2024, month: 1, day: 31, hour: 12, minute: 34, second: 56 }],
    ["2024-01-31 12:34:56²", { year: 2024, month: 1, day: 31, hour: 12, minute: 34, second: 56, index: 2 }],
    ["2024/01/31#12:34:56", { year: 2024, month: 1, day: 31, hour: 12, minute: 34, second: 56 }],
    // Another tribune.
    ["12:34:56@dlfp", { hour: 12, minute: 34, second: 56, bouchot: "dlfp" }],
    ["12:34:56²@euro_pa", { hour: 12, minute: 34, second: 56, index: 2, bouchot: "euro_pa" }],
    ["01/31#12:34@gc2", { month: 1, day: 31, hour: 12, minute: 34, second: null, bouchot: "gc2" }],
    // Not norloges.
    ["", null],
    ["plop", null],
    ["24:00", null],
    ["12:60", null],
    ["12:00:60", null],
    ["9:15", null],
    ["1234", null],
    ["12:34:5", null],
    ["12:34:56:0", null],
    ["12:34:56^0", null],
    ["12:34:56^123", null],
    ["12:34:56²³⁴", null],
    ["12:34:56@", null],
    ["13/01#12:34:56", null],
    ["01/32#12:34:56", null],
    ["01/00#12:34:56", null],
    ["12:34:56 plop", null],
  ];
  for (const [text, want] of cases) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(parseNorloge(text), want && norloge(want));
    });
  }
});

describe("superscripts", () => {
  for (const [n, s] of [
    [1, "¹"],
    [2, "²"],
    [3, "³"],
    [10, "¹⁰"],
    [42, "⁴²"],
  ]) {
    it(`${n} ⇄ ${s}`, () => {
      assert.equal(superscript(n), s);
      assert.equal(fromSuperscript(s), n);
    });
  }
  it("rejects what is not superscript", () => {
    assert.ok(Number.isNaN(fromSuperscript("")));
    assert.ok(Number.isNaN(fromSuperscript("2")));
    assert.ok(Number.isNaN(fromSuperscript("²x")));
  });
});

describe("norlogeMatches", () => {
  const created = "20240131123456"; // 2024-01-31 12:34:56
  const cases = [
    ["12:34", 1, true],
    ["12:34", 3, true],
    ["12:35", 1, false],
    ["12:34:56", 2, true],
    ["12:34:57", 1, false],
    ["12:34:56¹", 1, true],
    ["12:34:56¹", 2, false],
    ["12:34:56²", 2, true],
    ["12:34:56:2", 2, true],
    ["01/31#12:34:56", 1, true],
    ["02/01#12:34:56", 1, false],
    ["2024-01-31T12:34:56", 1, true],
    ["2023-01-31T12:34:56", 1, false],
  ];
  for (const [text, index, want] of cases) {
    it(`${text} → index ${index}: ${want}`, () => {
      assert.equal(norlogeMatches(parseNorloge(text), created, index), want);
    });
  }
  it("refuses a bad stamp or no norloge", () => {
    assert.equal(norlogeMatches(parseNorloge("12:34"), "2024", 1), false);
    assert.equal(norlogeMatches(null, created, 1), false);
  });
});

describe("resolveNorloge", () => {
  // A list spanning two days, with a shared second.
  const list = [
    { id: 1, created: "20240130123456", index: 1 }, // yesterday, 12:34:56
    { id: 2, created: "20240130235959", index: 1 },
    { id: 3, created: "20240131123456", index: 1 }, // today, 12:34:56¹
    { id: 4, created: "20240131123456", index: 2 }, // today, 12:34:56²
    { id: 5, created: "20240131123512", index: 1 },
    { id: 6, created: "20240131124000", index: 1 }, // where the norloges are written
    { id: 7, created: "20240131124001", index: 1 },
  ];
  const ids = (text, owner) => resolveNorloge(parseNorloge(text), list, owner).map((c) => c.id);
  const cases = [
    ["12:34:56", 6, [3, 4], "the most recent day's matches older than the message"],
    ["12:34:56¹", 6, [3], "the index picks one"],
    ["12:34:56²", 6, [4], "the index picks one"],
    ["12:34:56^2", 6, [4], "^N is the same index"],
    ["12:34:56:1", 6, [3], ":N is the same index"],
    ["12:34", 6, [3, 4], "HH:MM points to the minute"],
    ["12:35", 6, [5], "HH:MM points to the minute"],
    ["12:34:56", 2, [1], "looks into the past first: yesterday's, before today's"],
    ["12:34:56", 0, [3, 4], "owner unknown: the most recent day"],
    ["01/30#12:34:56", 6, [1], "a date restricts to that day"],
    ["2024-01-30T12:34:56", 6, [1], "a full date too"],
    ["2023-01-30T12:34:56", 6, [], "another year: nothing"],
    ["12:40:01", 6, [7], "no match in the past: the future one"],
    ["12:34:56@dlfp", 6, [], "another tribune's norloge is never resolved here"],
    ["11:11:11", 6, [], "no match"],
  ];
  for (const [text, owner, want, why] of cases) {
    it(`${text} in message ${owner}: ${why}`, () => {
      assert.deepEqual(ids(text, owner), want);
    });
  }
  it("answers nothing for no norloge", () => {
    assert.deepEqual(resolveNorloge(null, list, 6), []);
  });
});

describe("clockReference", () => {
  const cases = [
    ["12:34:56", 1, false, "12:34:56"],
    ["12:34:56", 1, true, "12:34:56¹"],
    ["12:34:56", 2, true, "12:34:56²"],
    ["12:34:56", 2, false, "12:34:56²"], // the first one left the list
    ["12:34:56", 10, true, "12:34:56¹⁰"],
    ["12:34:56", 0, true, "12:34:56¹"],
  ];
  for (const [clock, index, shared, want] of cases) {
    it(`${clock} index ${index} shared ${shared} → ${want}`, () => {
      assert.equal(clockReference(clock, index, shared), want);
    });
  }
  it("gives what parseNorloge reads back to the same message", () => {
    const p = parseNorloge(clockReference("12:34:56", 2, true));
    assert.equal(norlogeMatches(p, "20240131123456", 2), true);
    assert.equal(norlogeMatches(p, "20240131123456", 1), false);
  });
});

describe("indexMarks", () => {
  it("marks every message of a shared second, the first with ¹", () => {
    const list = [
      { created: "20240131123455", index: 1 },
      { created: "20240131123456", index: 1 },
      { created: "20240131123456", index: 2 },
      { created: "20240131123456", index: 3 },
      { created: "20240131123457", index: 1 },
    ];
    assert.deepEqual(indexMarks(list), ["", "¹", "²", "³", ""]);
  });
  it("keeps an index above 1 whose first message left the list", () => {
    assert.deepEqual(indexMarks([{ created: "20240131123456", index: "2" }]), ["²"]);
  });
  it("marks nothing in a list of distinct seconds", () => {
    assert.deepEqual(indexMarks([{ created: "1", index: 1 }, { created: "2", index: 1 }]), ["", ""]);
  });
});

describe("hails", () => {
  const cases = [
    ["moules< à table !", [], true, "moules< calls everybody"],
    ["MOULES< à table !", [], true, "any case"],
    ["salut moules<", [], true, "anywhere in the text"],
    ["nono< tu viens ?", ["nono"], true, "the viewer's login"],
    ["Nono< tu viens ?", ["nono"], true, "any case"],
    ["nono< tu viens ?", ["", "Nono"], true, "the chosen name"],
    ["super-nono< ?", ["nono"], true, "after a non-word character"],
    ["supernono< ?", ["nono"], false, "glued to a letter: someone else"],
    ["2nono< ?", ["nono"], false, "glued to a digit"],
    ["nono tu viens ?", ["nono"], false, "no <"],
    ["<nono> plop", ["nono"], false, "a login shown, not a hail"],
    ["riri< tu viens ?", ["nono"], false, "another name"],
    ["< plop", ["", "  "], false, "empty names call nobody"],
    ["Élodie< coucou", ["élodie"], true, "accented names"],
  ];
  for (const [text, names, want, why] of cases) {
    it(`${JSON.stringify(text)} for ${JSON.stringify(names)}: ${why}`, () => {
      assert.equal(hails(text, names), want);
    });
  }
});
