import { argmaxOf, classNameOf, orderClasses } from './class-labels';

describe('class labels', () => {
  it('orders integer classes numerically and any other classes by code unit, whatever order they came in', () => {
    expect(orderClasses(['10', '2', '-1', '2', '0'])).toEqual(['-1', '0', '2', '10']);
    expect(orderClasses(['versicolor', 'Setosa', 'setosa', 'virginica', '2'])).toEqual(['2', 'Setosa', 'setosa', 'versicolor', 'virginica']);
    expect(orderClasses(['b', 'a'])).toEqual(orderClasses(['a', 'b']));
  });

  it('reads strings and integers as classes, and nothing else', () => {
    expect(classNameOf('setosa')).toBe('setosa');
    expect(classNameOf(3)).toBe('3');
    expect([null, undefined, '', 1.5, true].map(classNameOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('picks the most probable class of a row, the first one on a tie', () => {
    const p = [0.2, 0.5, 0.3, 0.4, 0.4, 0.2];
    expect(argmaxOf(p, 0, 3)).toBe(1);
    expect(argmaxOf(p, 1, 3)).toBe(0);
  });
});
