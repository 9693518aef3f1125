import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { directionWarning, isolateText } from '../../webview/direction-controls';

const DIRECTION_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

describe('webview direction controls in names and link text', () => {
  it('shows "\\u202Efdp.exe" as ⟨RLO⟩fdp.exe, never as exe.pdf, and names the control', () => {
    assert.deepEqual(isolateText('\u202Efdp.exe'), { shown: '⟨RLO⟩fdp.exe', controls: ['RLO'] });
    assert.match(directionWarning(['RLO']), /direction controls \(RLO\)/);
  });

  it('flags every embedding, override, isolate and mark, and leaves ordinary text alone', () => {
    const all = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    assert.deepEqual(isolateText(`a${all}b`).controls, ['LRE', 'RLE', 'PDF', 'LRO', 'RLO', 'LRI', 'RLI', 'FSI', 'PDI', 'LRM', 'RLM', 'ALM']);
    assert.equal(directionWarning(['RLO', 'PDF', 'RLO']).match(/RLO/g)?.length, 1);
    assert.deepEqual(isolateText('report.pdf'), { shown: 'report.pdf', controls: [] });
    assert.deepEqual(isolateText('שלום.txt'), { shown: 'שלום.txt', controls: [] }, 'right-to-left letters are not controls');
  });

  it('leaves no direction control in what is shown, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '.', 'ש', '\u202E', '\u2066', '\u200F', '\u202C', ' ') }), (text) => {
        const { shown, controls } = isolateText(text);
        assert.equal(DIRECTION_CONTROL.test(shown), false);
        assert.equal(controls.length, [...text].filter((ch) => DIRECTION_CONTROL.test(ch)).length);
      }),
    );
  });
});
