import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as path from "../../src/util/path.ts";

describe("posix path helpers", () => {
  it("normalize() resolves dot segments and repeated slashes", () => {
    assert.equal(path.normalize("a//b/../c/"), "a/c/");
    assert.equal(path.normalize("/a/./b/../../.."), "/");
    assert.equal(path.normalize("../x/../../y"), "../../y");
    assert.equal(path.normalize(""), ".");
    assert.equal(path.normalize("a/.."), ".");
  });

  it("join() joins segments, skipping empty ones", () => {
    assert.equal(path.join("conf", "a", "../b.yml"), "conf/b.yml");
    assert.equal(path.join("/root/", "/x"), "/root/x");
    assert.equal(path.join("", "a"), "a");
    assert.equal(path.join(), ".");
  });

  it("dirname(), basename() and extname() split a path like POSIX tools", () => {
    assert.equal(path.dirname("/a/b/c.yml"), "/a/b");
    assert.equal(path.dirname("/a"), "/");
    assert.equal(path.dirname("a"), ".");
    assert.equal(path.dirname("a/b/"), "a");
    assert.equal(path.basename("/a/b/c.yml"), "c.yml");
    assert.equal(path.basename("/a/b/c.yml", ".yml"), "c");
    assert.equal(path.basename("a/b/"), "b");
    assert.equal(path.extname("x/c.tar.gz"), ".gz");
    assert.equal(path.extname(".confignore"), "");
    assert.equal(path.extname("README"), "");
  });

  it("isAbsolute(), resolve() and relative() work from a given cwd", () => {
    assert.equal(path.isAbsolute("/x"), true);
    assert.equal(path.isAbsolute("x"), false);
    assert.equal(path.resolve("/work", "conf/../x.yml"), "/work/x.yml");
    assert.equal(path.resolve("/work", "/etc/x"), "/etc/x");
    assert.equal(path.resolve("/work", "dir/"), "/work/dir");
    assert.equal(path.relative("/a/b", "/a/c/d"), "../c/d");
    assert.equal(path.relative("/a/b", "/a/b"), "");
    assert.equal(path.relative("/a", "/a/b/c"), "b/c");
  });
});
