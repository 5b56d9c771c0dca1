import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTorchScriptCode, codeOnly } from './torchscript-code.ts';

const MODULE = (setstate: string, forward = '    return x\n'): string =>
  `class M(Module):\n  __parameters__ = []\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n${forward}  def __setstate__(self: __torch__.M,\n    state: Tuple[Tensor, bool]) -> NoneType:\n${setstate}    return None\n`;

test('string literals and comments are blanked, code and line structure kept', () => {
  const src = `x = "torch.save(a)" # torch.from_file(\ny = '''a\nb''' + torch.mul(x)\n`;
  const out = codeOnly(src);
  assert.equal(out.length, src.length);
  assert.equal(out.split('\n').length, src.split('\n').length);
  assert.ok(!out.includes('save') && !out.includes('from_file'));
  assert.ok(out.includes('torch.mul(x)'));
});

test('file and network operators are malicious, and located in __setstate__ when they run at load', () => {
  const issues = analyzeTorchScriptCode(MODULE('    torch.save((state)[0], "/tmp/x")\n', '    _0 = torch.from_file("/etc/passwd", False, 1)\n    return x\n'));
  assert.deepEqual(issues.map((i) => [i.cls, i.atLoad]).sort(), [['malicious', false], ['malicious', true]]);
  assert.ok(analyzeTorchScriptCode(MODULE('    ops.aten.save(x, "/tmp/y")\n')).some((i) => i.cls === 'malicious'));
  assert.ok(analyzeTorchScriptCode(MODULE('', '    _1 = ops.c10d.barrier(x)\n    return x\n')).some((i) => i.cls === 'malicious'));
});

test('custom operator namespaces are suspicious; PyTorch namespaces and plain code are not findings', () => {
  assert.deepEqual(analyzeTorchScriptCode(MODULE('', '    _2 = ops.attacker.run(x)\n    return x\n')).map((i) => i.cls), ['suspicious']);
  assert.deepEqual(analyzeTorchScriptCode(MODULE('    self.w = (state)[0]\n', '    _3 = ops.aten.linear(x, w)\n    _4 = ops.quantized.add(x, x, 1.0, 0)\n    return torch.mul(x, w)\n')), []);
});
