import { buildInferRequest, fieldKind, parseField } from './v2-request';

const metadata = {
  inputs: [
    { name: 'customer_activity:visits', datatype: 'INT64', shape: [-1] },
    { name: 'customer_activity:spend', datatype: 'FP64', shape: [-1] },
    { name: 'customer_activity:plan', datatype: 'BYTES', shape: [-1] },
    { name: 'customer_activity:trial', datatype: 'BOOL', shape: [-1] },
  ],
};

describe('the try-it request built from V2 metadata', () => {
  it('sends one row with every input, typed as the metadata declares', () => {
    const built = buildInferRequest(metadata, { 'customer_activity:visits': '12', 'customer_activity:spend': '40.5', 'customer_activity:plan': 'pro', 'customer_activity:trial': 'false' }, 'try-1');
    expect(built).toEqual({
      ok: true,
      request: {
        id: 'try-1',
        inputs: [
          { name: 'customer_activity:visits', datatype: 'INT64', shape: [1], data: [12] },
          { name: 'customer_activity:spend', datatype: 'FP64', shape: [1], data: [40.5] },
          { name: 'customer_activity:plan', datatype: 'BYTES', shape: [1], data: ['pro'] },
          { name: 'customer_activity:trial', datatype: 'BOOL', shape: [1], data: [false] },
        ],
      },
    });
  });

  it('sends an empty field as a missing value (null), which the model fills as in training', () => {
    const built = buildInferRequest(metadata, { 'customer_activity:visits': ' ' }, 'try-2');
    expect(built.ok && built.request.inputs.map((i) => i.data[0])).toEqual([null, null, null, null]);
  });

  it('refuses what the datatype cannot carry before anything is sent, naming the field', () => {
    const built = buildInferRequest(metadata, { 'customer_activity:visits': '1.5', 'customer_activity:spend': '1e999', 'customer_activity:trial': 'yes' }, 'try-3');
    expect(built).toEqual({
      ok: false,
      errors: {
        'customer_activity:visits': 'INT64 needs a whole number',
        'customer_activity:spend': 'FP64 needs a finite number',
        'customer_activity:trial': 'BOOL is true or false',
      },
    });
  });

  it('keeps integers inside their datatype and within what JSON numbers hold exactly', () => {
    expect(parseField('INT32', '2147483648')).toEqual({ ok: false, error: 'INT32 holds -2147483648 to 2147483647' });
    expect(parseField('INT64', '9007199254740993')).toEqual({ ok: false, error: 'INT64 needs a whole number' });
    expect(parseField('INT8', '-128')).toEqual({ ok: true, value: -128 });
    expect(parseField('BYTES', ' spaced ')).toEqual({ ok: true, value: ' spaced ' });
  });

  it('chooses a form control from the datatype', () => {
    expect(['INT64', 'FP32', 'BOOL', 'BYTES'].map(fieldKind)).toEqual(['integer', 'number', 'boolean', 'text']);
  });
});
